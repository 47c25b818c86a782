"""Call scripts from Jinja templates: the sandboxed template environment, the variables a
template sees, its filters, plain-text layout and the template catalogue."""
