"""The migrations and the models describe the same schema, on every engine under test."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wishboard.extensions import db
from wishboard.models import include_object


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True,
                                                         "include_object": include_object})
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_the_models(app):
    # The suite's database was built by `flask db upgrade`, not by create_all.
    assert _differences(db.engine) == []


def test_flask_db_upgrade_on_an_empty_sqlite_file_gives_the_models_schema(make_app, tmp_path):
    url = "sqlite:///" + str(tmp_path / "fresh.sqlite")
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _differences(db.engine) == []
        names = db.session.scalars(sa.text("SELECT name FROM categories ORDER BY sort_order"))
        assert list(names) == ["美好家园", "邻里守望", "绿色环保", "与爱同行", "七彩阳光",
                               "居民保健", "红袖套行动"]
    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
    assert tables <= {"alembic_version"}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_flask_db_check_finds_nothing_to_migrate(app, runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
