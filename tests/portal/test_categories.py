"""Category lists follow the chosen programme, on the public form and at back-office intake (issue 18)."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from grievances.models import Grievance
from pmpp.models import ComplaintCategory, Programme
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db
FILE_URL = "/deposer-une-reclamation/"


def _optgroups(page: str) -> dict[str, list[tuple[str, str]]]:
    """{optgroup label: [(option value, data-programme)]} of the category select."""
    select = re.search(r'<select name="category".*?</select>', page, re.S).group(0)
    groups = {}
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S):
        groups[label] = re.findall(r'<option value="(\d+)"[^>]*data-programme="(\d+)"', body)
    return groups


def test_public_categories_are_grouped_and_tagged_by_programme(client):
    page = client.get(FILE_URL).content.decode()
    assert 'data-follows-programme="programme"' in page
    assert "js/category-follows-programme.js" in page
    groups = _optgroups(page)
    tayssir = Programme.objects.get(code="tayssir")
    assert tayssir.name in groups
    assert {programme for _value, programme in groups[tayssir.name]} == {str(tayssir.pk)}
    # Each « Autre » sits under its programme's name, so none is ambiguous.
    others = ComplaintCategory.objects.filter(name="Autre", is_active=True)
    for other in others:
        assert (str(other.pk), str(other.programme_id)) in groups[other.programme.name]


def test_public_categories_in_arabic_use_arabic_names(client):
    client.cookies["django_language"] = "ar"
    with override("ar"):
        page = client.get(FILE_URL, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    category = ComplaintCategory.objects.filter(programme__code="tayssir").exclude(name_ar="").first()
    assert category.name_ar in page
    assert Programme.objects.get(code="tayssir").name_ar in _optgroups(page)


def test_a_public_category_of_another_programme_is_refused_naming_the_programme(client):
    tayssir = Programme.objects.get(code="tayssir")
    other = ComplaintCategory.objects.filter(programme__code="daam").first()
    response = client.post(
        FILE_URL,
        {
            "programme": tayssir.pk,
            "category": other.pk,
            "description": "Rien reçu",
            "complainant_cnie": "AB123456",
            "preferred_contact": "none",
        },
    )
    assert Grievance.objects.count() == 0
    assert f"pas du programme {tayssir.name}" in response.content.decode()


def test_back_office_intake_offers_only_the_agents_programmes_and_categories(client, salma):
    client.force_login(salma)
    page = client.get(reverse("grievances:intake")).content.decode()
    groups = _optgroups(page)
    assert set(groups) == {"Tayssir", "DAAM"}
    amo = ComplaintCategory.objects.filter(programme__code="amo-tadamon").first()
    assert f'value="{amo.pk}"' not in page


def test_back_office_intake_refuses_a_category_outside_the_agents_scope(client, salma):
    client.force_login(salma)
    amo = ComplaintCategory.objects.filter(programme__code="amo-tadamon").first()
    response = client.post(reverse("grievances:intake"), intake_form_data(category=amo.pk))
    assert response.status_code == 200
    assert Grievance.objects.count() == 0


def test_back_office_intake_refuses_a_category_of_another_of_its_programmes(client, salma):
    client.force_login(salma)
    daam = ComplaintCategory.objects.filter(programme__code="daam").first()
    response = client.post(reverse("grievances:intake"), intake_form_data(category=daam.pk))
    assert response.status_code == 200
    assert "pas du programme Tayssir" in response.content.decode()
    assert Grievance.objects.count() == 0


def test_the_intake_page_reads_a_bounded_number_of_queries(client, salma, django_assert_max_num_queries):
    client.force_login(salma)
    with django_assert_max_num_queries(20):
        client.get(reverse("grievances:intake"))
