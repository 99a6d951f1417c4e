from types import SimpleNamespace

from django.test import SimpleTestCase

from openiop.lib.triggers import execute_for_vendor, refuse_change_function


class FakeSchemaEditor:
    def __init__(self, vendor):
        self.connection = SimpleNamespace(vendor=vendor)
        self.executed = []

    def execute(self, sql, params=()):
        self.executed.append((sql, params))


class RefuseChangeFunctionTests(SimpleTestCase):
    def test_it_names_the_function_and_the_refused_operation(self):
        sql = refuse_change_function("audit_refuse_change", "audit trail is append-only")
        self.assertIn("CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger", sql)
        self.assertIn("RAISE EXCEPTION 'audit trail is append-only: % refused', TG_OP", sql)
        self.assertIn("USING ERRCODE = 'insufficient_privilege'", sql)


class ExecuteForVendorTests(SimpleTestCase):
    def test_it_runs_the_postgresql_script_whole(self):
        editor = FakeSchemaEditor("postgresql")
        execute_for_vendor(editor, postgresql="SELECT 1; SELECT 2;", sqlite=["SELECT 3;"])
        self.assertEqual(editor.executed, [("SELECT 1; SELECT 2;", None)])

    def test_it_runs_the_sqlite_statements_one_by_one(self):
        editor = FakeSchemaEditor("sqlite")
        execute_for_vendor(editor, postgresql="SELECT 1;", sqlite=["SELECT 2;", "SELECT 3;"])
        self.assertEqual(editor.executed, [("SELECT 2;", ()), ("SELECT 3;", ())])

    def test_it_runs_nothing_on_other_databases(self):
        editor = FakeSchemaEditor("mysql")
        execute_for_vendor(editor, postgresql="SELECT 1;", sqlite=["SELECT 2;"])
        self.assertEqual(editor.executed, [])
