from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "apps.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        # The ledger posts an agency's share in the income's own transaction: it asks this
        # resolver which contracts were running when the income was posted; its guard (migration
        # 0003) lets an income no contract touches post in one statement.
        from apps.ledger import income_splits
        from apps.programs import console_pending
        from apps.programs.selectors import contract_shares

        income_splits.register(
            "programs", contract_shares, database_guard="programs_income_share_owed"
        )
        console_pending.register()
