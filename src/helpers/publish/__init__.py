"""Publish: HTML pages, data exports and the batch runner behind the command line."""
