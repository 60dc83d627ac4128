# Follow-ups keep their urgency rank (the reason's place in followups.models.URGENCY)
# in a column, filled here for the rows there are, so This week's order is an index.

from django.conf import settings
from django.db import migrations, models

# The order as it was when this migration was written (the model's URGENCY may change later:
# then a new migration fills the column again).
URGENCY = ("thank_you", "next_step", "give_back", "birthday", "manual", "key_person", "keep_in_touch")


def rank():
    return models.Case(
        *[models.When(reason=reason, then=models.Value(position)) for position, reason in enumerate(URGENCY)],
        default=models.Value(len(URGENCY)),
        output_field=models.SmallIntegerField(),
    )


def fill(apps, schema_editor):
    apps.get_model("followups", "FollowUp").objects.update(urgency=rank())


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0017_merge_capture_career_and_reading_guess"),
        ("followups", "0005_merge_reach_out_and_jobs_move"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="urgency",
            field=models.PositiveSmallIntegerField(default=7, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("state", "open")),
                fields=["owner", "urgency", "show_on", "id", "overdue_on", "person"],
                name="followup_owner_urgency",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(condition=models.Q(urgency=rank()), name="followup_urgency_of_reason"),
        ),
    ]
