"""What gunicorn loads: ``gunicorn wsgi:app``. The configuration comes from WISHBOARD_CONFIG.
No scheduler starts here; it runs as its own process (``flask wishboard scheduler``)."""

from wishboard import create_app

app = create_app()
