"""The shared model every stage speaks: contacts and skipped rows, plays and their stages,
calls and plans, settings, phone numbers, zones and text safe to print."""
