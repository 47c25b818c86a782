"""From a CRM export to typed contacts: CSV text and encodings, header aliases, cells read
the ways people type them, and every rejected row with its file, line and field."""
