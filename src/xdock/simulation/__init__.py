"""The site-day simulator: a day or a week of a cross-dock in virtual time, through central's real decision code."""
