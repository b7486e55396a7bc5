"""The portal's URLs plus two views that fail, for tests/portal/test_overload.py."""
from django.db import connection
from django.urls import path

from portal.site.urls import handler500, urlpatterns as portal_urlpatterns  # noqa: F401 - handler500 is read from here


def pool_runs_dry(request):
    """Ask a real connection pool of one, already lent out, for a second connection, as Django asks its pool."""
    from psycopg_pool import ConnectionPool

    settings_dict = connection.settings_dict
    conninfo = f"host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432} " \
               f"dbname={settings_dict['NAME']} user={settings_dict['USER']}"
    with ConnectionPool(conninfo, min_size=0, max_size=1, timeout=0.2, open=True) as pool:
        held = pool.getconn()
        try:
            with connection.wrap_database_errors:
                pool.getconn()
        finally:
            pool.putconn(held)


def fails(request):
    raise ValueError("a bug, not the load")


urlpatterns = [path("test/pool-runs-dry/", pool_runs_dry), path("test/fails/", fails), *portal_urlpatterns]
