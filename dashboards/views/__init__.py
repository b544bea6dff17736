"""Dashboard pages (`dashboard`) and Excel exports with their background jobs (`exports`)."""
