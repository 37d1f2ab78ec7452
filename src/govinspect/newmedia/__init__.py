"""政务新媒体: new-media accounts' posts, menus, messages and filings, gathered for the account checks.

``sources`` reads an account's homepage/feed bytes into posts and menu links (RSS/Atom through
feedparser, JSON feeds, HTML post lists through the columns item extraction); ``imports`` reads the
platform's message export and the 报送系统 filing list; ``store`` keeps them and the per-(run, account)
results; ``run`` is the orchestration (:func:`run_account`).
"""
