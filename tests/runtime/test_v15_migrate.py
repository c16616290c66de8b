"""migrate runs the apps' before_migrate and after_migrate hooks around the schema sync, as v15's
SiteMigration (frappe/migrate.py) — on SQLite and on MariaDB."""


def test_migrate_runs_before_and_after_migrate_hooks(lite_site):
	with lite_site.connect() as frappe:
		from frappe.migrate import SiteMigration

		before = int(frappe.db.get_default("lite_fixture_migrations") or 0)
		SiteMigration().run()
		assert int(frappe.db.get_default("lite_fixture_migrations")) == before + 1
		assert frappe.db.get_default("lite_fixture_after_migrate") == str(before + 1)
		assert not frappe.flags.in_migrate
