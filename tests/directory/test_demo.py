"""The demo command's directory content: realistic profiles for the demo region, idempotent."""
from directory import demo
from directory.models import Member, Visibility
from portal.site.demo import build_region


def test_demo_fills_bios_phones_and_every_visibility_level(db):
    region = build_region()
    demo.build(region)
    members = Member.objects.filter(pk__in=[m.pk for m in region["members"].values()])
    assert members.count() >= 40
    assert not members.filter(bio="").exists()
    assert not members.filter(phone="").exists()
    for field in ("email_visibility", "phone_visibility"):
        assert set(members.values_list(field, flat=True)) == set(Visibility.values)
    assert "dermatology" in members.get(user__email="cluster.lead@pbc-network.nhs.uk").bio


def test_demo_can_run_twice_without_changing_anything(db):
    region = build_region()
    demo.build(region)
    first = list(Member.objects.order_by("pk").values_list("bio", "phone", "email_visibility", "phone_visibility"))
    demo.build(build_region())
    assert list(Member.objects.order_by("pk").values_list("bio", "phone", "email_visibility", "phone_visibility")) == first
