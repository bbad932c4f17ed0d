"""The service database: models, migrations, district bundles and the queries actions call."""
