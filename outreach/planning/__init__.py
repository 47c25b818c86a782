"""Who gets which call, from whom, and when: the playbook's rules, triage, business days,
invitation notice, the scheduler and quarterly campaigns."""
