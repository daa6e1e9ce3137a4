"""Business operations behind the routes. Routes parse and authorise; services act."""
