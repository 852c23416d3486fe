"""Demo guests: realistic names from the mainland, Hong Kong, Macao and abroad, in realistic
states, with forum choices allocated through the registration services (counters stay exact).

Idempotent: demo guests have addresses guest0001@guests.bayline.test…; running the seed again
creates only the ones that are missing. Invitees not yet answered (invitee01@…) are seeded too,
and the link of the first one is said at the end, to open it as the invitee would.
"""

import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from registration import changes, choosable, invitation_links, invitations, services
from registration.models import Category, Invitation, Registration
from summit.models import Summit
from summit.roles import GUEST

DOMAIN = "guests.bayline.test"

SURNAMES = [  # simplified, traditional, Cantonese, Pinyin
    ("陈", "陳", "Chan", "Chen"),
    ("李", "李", "Lee", "Li"),
    ("黄", "黃", "Wong", "Huang"),
    ("张", "張", "Cheung", "Zhang"),
    ("梁", "梁", "Leung", "Liang"),
    ("刘", "劉", "Lau", "Liu"),
    ("林", "林", "Lam", "Lin"),
    ("何", "何", "Ho", "He"),
    ("吴", "吳", "Ng", "Wu"),
    ("郭", "郭", "Kwok", "Guo"),
    ("罗", "羅", "Law", "Luo"),
    ("周", "周", "Chow", "Zhou"),
    ("王", "王", "Wong", "Wang"),
    ("杨", "楊", "Yeung", "Yang"),
    ("赵", "趙", "Chiu", "Zhao"),
    ("叶", "葉", "Yip", "Ye"),
    ("郑", "鄭", "Cheng", "Zheng"),
    ("谢", "謝", "Tse", "Xie"),
]
GIVEN = [
    ("伟", "偉", "Wai", "Wei"),
    ("志明", "志明", "Chi Ming", "Zhiming"),
    ("嘉欣", "嘉欣", "Ka Yan", "Jiaxin"),
    ("家豪", "家豪", "Ka Ho", "Jiahao"),
    ("丽华", "麗華", "Lai Wah", "Lihua"),
    ("建国", "建國", "Kin Kwok", "Jianguo"),
    ("晓彤", "曉彤", "Hiu Tung", "Xiaotong"),
    ("国强", "國強", "Kwok Keung", "Guoqiang"),
    ("美玲", "美玲", "Mei Ling", "Meiling"),
    ("子轩", "子軒", "Tsz Hin", "Zixuan"),
    ("海燕", "海燕", "Hoi Yin", "Haiyan"),
    ("大文", "大文", "Tai Man", "Dawen"),
]
MACANESE = [
    "João Conceição",
    "Maria da Silva Ho",
    "António Rodrigues Lei",
    "Ana Sofia Gonçalves",
    "José Maria Pereira",
    "Inês Fernandes Leong",
    "Miguel de Senna Fernandes",
    "Rita Xavier",
]
INTERNATIONAL = [
    "Anna Schmidt",
    "Rahul Mehta",
    "Kenji Tanaka",
    "Sarah O'Connor",
    "Lucas Moreau",
    "Fatima Al-Sayed",
    "Nguyen Thi Lan",
    "Olivia Johnson",
    "Park Ji-won",
    "Mateus Oliveira",
    "Siti Rahmawati",
    "Erik Johansson",
]
ORGANISATIONS = {
    "guangdong": [
        "广东省政务服务数据管理局",
        "广州市政务服务数据管理局",
        "深圳市政务服务数据管理局",
        "珠海市人民政府",
        "华南理工大学",
        "腾讯云计算（北京）有限责任公司",
    ],
    "mainland": [
        "国家数据局",
        "浙江省大数据发展管理局",
        "上海市大数据中心",
        "清华大学公共管理学院",
        "中国信息通信研究院",
        "贵州省大数据发展管理局",
    ],
    "hong_kong": ["數字政策辦公室", "香港科技大學", "香港數碼港管理有限公司", "香港生產力促進局"],
    "macao": [
        "澳門特別行政區政府行政公職局",
        "澳門大學",
        "Universidade de São José",
        "澳門科技大學",
    ],
    "overseas": [
        "Digital Transformation Agency",
        "Smart Nation Group",
        "OECD Digital Government",
        "University of Oxford",
        "GovTech Singapore",
        "World Bank",
    ],
}
TITLES = [
    "Director",
    "Deputy Director",
    "处长",
    "主任",
    "教授",
    "Professor",
    "Chief Officer",
    "研究员",
    "總監",
    "Senior Manager",
    "Researcher",
]
REGIONS = ["guangdong"] * 40 + ["mainland"] * 25 + ["hong_kong"] * 15 + ["macao"] * 10
REGIONS += ["overseas"] * 10
CATEGORIES = [Category.DELEGATE] * 75 + [Category.VIP] * 8 + [Category.MEDIA] * 7
CATEGORIES += [Category.SPEAKER] * 5 + [Category.STAFF] * 5


def person(rng: random.Random, region: str) -> dict:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN)
    if region == "overseas":
        return {"name": "", "name_latin": rng.choice(INTERNATIONAL), "language": "en"}
    if region == "macao" and rng.random() < 0.35:
        latin = rng.choice(MACANESE)
        return {"name": "", "name_latin": latin, "language": rng.choice(["en", "zh-hant"])}
    if region in {"hong_kong", "macao"}:
        return {
            "name": surname[1] + given[1],
            "name_latin": f"{surname[2]} {given[2]}",
            "language": rng.choice(["zh-hant", "zh-hant", "en"]),
        }
    return {
        "name": surname[0] + given[0],
        "name_latin": f"{given[3]} {surname[3]}" if rng.random() < 0.5 else "",
        "language": "zh-hans",
    }


INVITEES = [  # name, Latin name, organisation, category, language
    ("陳大文", "Chan Tai Man", "數字政策辦公室", Category.VIP, "zh-hant"),
    ("李明", "Li Ming", "广东省政务服务和数据管理局", Category.SPEAKER, "zh-hans"),
    ("", "João Conceição", "Universidade de Macau", Category.DELEGATE, "en"),
    ("黄志强", "Huang Zhiqiang", "深圳市政务服务数据管理局", Category.DELEGATE, "zh-hans"),
    ("何嘉欣", "Ho Ka Yan", "澳門特別行政區政府", Category.VIP, "zh-hant"),
    ("", "Priya Raman", "Digital Government Review", Category.MEDIA, "en"),
    ("周敏", "Zhou Min", "中国科学院", Category.SPEAKER, "zh-hans"),
    ("梁家豪", "Leung Ka Ho", "香港科技大學", Category.DELEGATE, "zh-hant"),
]


def seed(*, guests: int, real_dates: bool, stdout) -> dict[str, str] | None:
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is None:
        return None
    first = _seed_invitations(summit, stdout)
    said = {"Invitation link": f"{settings.SITE_URL}{invitation_links.invitation_path(first)}"}
    if guests > 0:
        _seed_guests(summit, guests, stdout)
    return said


def _seed_invitations(summit: Summit, stdout) -> Invitation:
    """Invitations sent and not answered yet (their e-mails are not sent again)."""
    entries = [
        {
            "email": f"invitee{number:02d}@{DOMAIN}",
            "name": name,
            "name_latin": latin,
            "organisation": organisation,
            "category": category,
            "language": language,
        }
        for number, (name, latin, organisation, category, language) in enumerate(INVITEES, 1)
    ]
    made = invitations.create_invitations(
        summit, entries, category=Category.DELEGATE, language="zh-hans", send=False, actor=None
    ).invitations
    Invitation.objects.filter(pk__in=[i.pk for i in made], sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    stdout.write(f"Invitations: {len(made)} sent, waiting for an answer.")
    open_ones = [i for i in made if invitations.open_for_answer(i)]
    return open_ones[0] if open_ones else made[0]


def _seed_guests(summit: Summit, guests: int, stdout) -> None:
    rng = random.Random(2026)
    existing = set(
        Registration.objects.filter(summit=summit, email__endswith=f"@{DOMAIN}").values_list(
            "email", flat=True
        )
    )
    forums = list(choosable.choosable_forums(summit).values_list("pk", flat=True))
    sessions = list(choosable.choosable_sessions(summit).values_list("pk", flat=True))
    password = make_password("bayline-demo")
    User = get_user_model()
    entries, plans = [], []
    for number in range(1, guests + 1):
        # Draw for every guest, created or not, so that each keeps the same data run after run.
        region = rng.choice(REGIONS)
        details = {
            **person(rng, region),
            "organisation": rng.choice(ORGANISATIONS[region]),
            "job_title": rng.choice(TITLES),
            "region": region,
            "phone": f"+86 138 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
            "dietary": rng.choice(["none"] * 8 + ["vegetarian", "halal", "no_pork"]),
        }
        fate = rng.random()
        chosen_forums = rng.sample(forums, k=min(len(forums), rng.choice([1, 1, 2, 2, 3])))
        chosen_sessions = rng.sample(sessions, k=min(len(sessions), rng.choice([0, 0, 1])))
        email = f"guest{number:04d}@{DOMAIN}"
        if email in existing:
            continue
        entries.append(
            {
                "user": User(username=f"guest{number:04d}", email=email, password=password),
                "email": email,
                "details": details,
                "forum_ids": chosen_forums,
                "session_ids": chosen_sessions,
                "category": rng.choice(CATEGORIES),
                # Most are confirmed; about 15% wait for approval, some of whom are refused.
                "needs_approval": fate < 0.15,
            }
        )
        plans.append(fate)
    if not entries:
        stdout.write(f"Guests: all {guests} demo guests exist already.")
        return
    _create_accounts([entry["user"] for entry in entries])
    registrations = services.register_many(summit, entries)
    for registration, fate in zip(registrations, plans, strict=True):
        if fate < 0.05:
            changes.reject_registration(registration, actor=None)
        elif 0.15 <= fate < 0.21:
            changes.cancel_registration(registration, actor=registration.user)
    stdout.write(f"Guests: {len(registrations)} demo guests registered.")


def _create_accounts(users) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    User = get_user_model()
    User.objects.bulk_create(users, batch_size=500)
    # bulk_create may not set primary keys on every backend: read them back.
    by_email = dict(
        User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
    )
    for user in users:
        user.pk = user.id = by_email[user.email]
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=500,
    )
    guests = Group.objects.get(name=GUEST)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=guests.pk) for u in users], batch_size=500
    )
