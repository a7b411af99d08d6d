"""A central standing by: it waits for the site's leadership and serves a read-only API meanwhile."""
