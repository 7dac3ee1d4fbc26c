"""Runtime assets (catalogs, owner states, textures). Located through :mod:`app.common.resources`."""
