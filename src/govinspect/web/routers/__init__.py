"""One router per resource: users (login, accounts), runs, sites, findings, rectification, tickets."""
