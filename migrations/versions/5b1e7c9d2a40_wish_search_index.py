"""wish search: every character and pair of characters, stored and indexed (PostgreSQL)

Revision ID: 5b1e7c9d2a40
Revises: d87ca0ec0e7d
Create Date: 2026-11-22 22:40:00.000000

Chinese has no spaces between words and most searches are two characters (买药, 理发,
维修), shorter than a trigram. ``wish_grams(title, description)`` is the set of every
character and every pair of neighbouring characters of a wish, lower-cased, kept in the
generated column ``wishes.search_grams``; a GIN index over it finds the wishes holding every
pair of a query (or its one character) without reading the others, and a board that reads
its own index in order checks each row against the stored set at no cost. The query's LIKE
keeps only the exact matches. SQLite has neither and reads the board in order until the
page is full.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1e7c9d2a40'
down_revision = 'd87ca0ec0e7d'
branch_labels = None
depends_on = None

GRAMS = """
CREATE FUNCTION wish_grams(title text, description text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT gram), '{}')
  FROM lower(title || ' ' || description) AS body, LATERAL (
    SELECT substr(body, i, 1) FROM generate_series(1, char_length(body)) AS i
    UNION ALL
    SELECT substr(body, i, 2) FROM generate_series(1, char_length(body) - 1) AS i
  ) AS grams (gram)
$$
"""

QUERY_GRAMS = """
CREATE FUNCTION wish_query_grams(query text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(q) < 2 THEN ARRAY[q]
         ELSE (SELECT array_agg(DISTINCT substr(q, i, 2))
               FROM generate_series(1, char_length(q) - 1) AS i) END
  FROM lower(query) AS q
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(GRAMS)
    op.execute(QUERY_GRAMS)
    op.execute("ALTER TABLE wishes ADD COLUMN search_grams text[] "
               "GENERATED ALWAYS AS (wish_grams(title, description)) STORED")
    op.execute("CREATE INDEX ix_wishes_search ON wishes USING gin (search_grams)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_wishes_search")
    op.execute("ALTER TABLE wishes DROP COLUMN search_grams")
    op.execute("DROP FUNCTION wish_query_grams(text)")
    op.execute("DROP FUNCTION wish_grams(text, text)")
