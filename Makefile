.PHONY: run test lint

# Run the platform on http://127.0.0.1:8000 (embedded mode, demo data included).
run:
	@scripts/run.sh

# Run the tests against PostgreSQL and Redis (DATABASE_URL / REDIS_URL, or the local defaults).
test:
	@scripts/test.sh $(ARGS)

lint:
	@scripts/bootstrap.sh dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
