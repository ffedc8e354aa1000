"""The staff web page: sign-in, the packet page and the batch page, a thin Starlette caller of the library API."""
