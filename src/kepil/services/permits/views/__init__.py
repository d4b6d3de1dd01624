"""Read models of the permit wing: flat views made for their readers, computed with the injected
clock in one unit of work each. Routers and pages render them and compute nothing themselves."""
