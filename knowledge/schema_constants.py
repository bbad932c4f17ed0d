"""Small constants shared by the bundle schema and the queries."""

WEEKDAY_CODES = ("mo", "tu", "we", "th", "fr", "sa", "su")
