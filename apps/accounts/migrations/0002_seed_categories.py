from django.db import migrations

CATEGORIES = [
    ("beauty", "Beauty", "美妆"),
    ("skincare", "Skincare", "护肤"),
    ("fashion", "Fashion", "时尚穿搭"),
    ("food", "Food", "美食"),
    ("travel", "Travel", "旅行"),
    ("home", "Home", "家居"),
    ("fitness", "Fitness", "健身"),
    ("parenting", "Parenting", "母婴育儿"),
    ("tech", "Tech", "数码科技"),
    ("pets", "Pets", "萌宠"),
    ("study", "Study", "学习"),
    ("career", "Career", "职场"),
    ("photography", "Photography", "摄影"),
    ("music", "Music", "音乐"),
    ("movies", "Movies and TV", "影视"),
    ("books", "Books", "读书"),
    ("art", "Art and Design", "艺术设计"),
    ("cars", "Cars", "汽车"),
    ("outdoors", "Outdoors", "户外"),
    ("gaming", "Gaming", "游戏"),
    ("wedding", "Wedding", "婚礼"),
    ("health", "Health", "健康"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("accounts", "Category")
    for position, (slug, name, name_zh) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_zh": name_zh, "position": position}
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("accounts", "Category")
    Category.objects.filter(slug__in=[slug for slug, _, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
