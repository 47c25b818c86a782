"""The files people open: iCalendar with its time zones, invitation drafts, CSV and JSON
tables, the CRM file for the next run and the HTML report."""
