import unicodedata

from django.db import migrations


def normalize_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.only("pk", "email").iterator():
        normalized = unicodedata.normalize("NFKC", user.email.strip()).casefold()
        # Two rows folding to one address are left for staff to merge by hand.
        if normalized != user.email and normalized not in taken:
            taken.add(normalized)
            User.objects.filter(pk=user.pk).update(email=normalized)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(normalize_emails, migrations.RunPython.noop)]
