"""Analysis: intervals, indicators, derived metrics and the audit of the reports' claims."""
