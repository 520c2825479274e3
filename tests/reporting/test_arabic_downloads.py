"""With Arabic chosen, the reports' downloads are wholly Arabic (issue 16, « reports that read the same »).

The semester report's PDF, XLSX and CSV and the dashboard's XLSX and CSV, downloaded in
Arabic, carry no French label: headings, methodology, chart titles and axes, month names,
and the names of programmes, channels, categories, regions, organisations, reasons and
kinds (from the reference data's Arabic names). The data of this module is typed in Arabic
where it is free text, so that every Latin word left in an Arabic download is a label that
was not translated, except the few names and codes listed in `LATIN_ALLOWED`.
"""

import csv
import io
import re
import unicodedata
import zipfile
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from grievances.models import Sex
from grievances.services import workflow as wf
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Organisation, Programme, Region
from reporting import metrics
from reporting.pdf import _chart_titles
from reporting.services import semester_report_approve, semester_report_start
from stakeholders.models import BudgetLine, Campaign, CorrectiveAction, EngagementActivity
from tests.reporting.conftest import _saved

pytestmark = pytest.mark.django_db

LATIN = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# Latin words an Arabic download may carry: the plan's acronym, which the Arabic title keeps in
# brackets (« خطة إشراك الأطراف المعنية (PMPP) »), the path of the dictionary, and the people
# named in Latin letters (the approver's name is added by each test).
LATIN_ALLOWED = {"PMPP", "docs", "metrics"}


@pytest.fixture
def semester_data(walk, salma, rachid, leila, semester, tayssir):
    """Requests of three programmes, on web and non-web channels, in two regions, of every kind,
    plus an activity, a campaign and a corrective action whose free texts are in Arabic."""
    daam = Programme.objects.get(code="daam")
    amo = Programme.objects.get(code="amo-tadamon")
    regions = list(Region.objects.order_by("code")[:2])
    web = Channel.objects.get(code="web-portal")
    walk.closed(region=regions[0], sex=Sex.FEMALE)
    walk.closed(channel=web, region=regions[1], sex=Sex.MALE)
    walk.analysed(outcome="unfounded", channel=web)
    g = walk.closed(channel=Channel.objects.get(code="postal"), received_at=timezone.now() - timedelta(days=1))
    wf.grievance_appeal(grievance=g, actor=salma, reason="تظلم")
    walk.register(programme=daam, category=ComplaintCategory.objects.filter(programme=daam).first())
    request = walk.register(actor=rachid, programme=amo, category=None, cnie="CD123456")
    wf.grievance_reclassify_as_request(
        grievance=request, actor=rachid, not_complaint_kind=NotComplaintKind.objects.first(), answer_text="معلومة"
    )
    walk.duplicate()
    mef = Organisation.objects.get(code="mef-db")
    activity = _saved(
        EngagementActivity(
            type=EngagementActivity.Type.WORKSHOP,
            title="ورشة تيسير مع جمعيات الآباء",
            start_date=timezone.localdate(),
            organiser=mef,
            participants_women=5,
            participants_men=4,
            created_by=leila,
        ),
        actor=leila,
        reason="إنشاء",
    )
    activity.programmes.add(tayssir)
    campaign = _saved(
        Campaign(programme=tayssir, title="حملة إذاعية", responsible=mef, start_date=timezone.localdate()),
        actor=leila,
        reason="إنشاء",
    )
    _saved(
        BudgetLine(
            campaign=campaign, label="وصلات إذاعية", planned_amount=Decimal("1000"), actual_amount=Decimal("250")
        ),
        actor=leila,
        reason="إنشاء",
    )
    _saved(
        CorrectiveAction(
            title="نشر جدول المنح",
            source=CorrectiveAction.Source.CONSULTATION,
            programme=tayssir,
            owner_organisation=mef,
            due_on=timezone.localdate() + timedelta(days=30),
        ),
        actor=leila,
        reason="إنشاء",
    )
    return semester_report_approve(
        report=semester_report_start(actor=leila, year=semester[0], semester=semester[1]),
        actor=leila,
        confirmed=True,
        unfinished_semester_acknowledged=True,
    )


def _free_texts(report) -> list[str]:
    """What people typed and the seed's own records (titles of the PMPP's campaigns, activities,
    actions), in whatever language they were written: not labels, so not translated."""
    data = report.snapshot
    texts = [a.get("title") or "" for a in data["activities"]["items"]]
    texts += [a.get("place") or "" for a in data["activities"]["items"]]
    for concern in data["concerns"]:
        texts += [concern.get(key) or "" for key in ("theme", "description", "answer", "activity_title")]
        texts.append(concern.get("follow_up_action") or "")
    texts += [campaign.get("title") or "" for campaign in data["campaigns"]["items"]]
    for action in data["corrective_actions"]:
        texts += [action.get(key) or "" for key in ("title", "latest_note", "owner_name")]
    return texts


def _latin_words(text: str, *, allowed: set[str]) -> set[str]:
    return {word for word in LATIN.findall(text) if word not in allowed}


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in reader.pages))


def _xlsx_text(content: bytes) -> tuple[str, list[str]]:
    """Every string of a workbook, and each sheet's XML (to read its direction)."""
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        names = workbook.namelist()
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheets = [workbook.read(name).decode() for name in names if name.startswith("xl/worksheets/sheet")]
        charts = [workbook.read(name).decode() for name in names if name.startswith("xl/charts/chart")]
    texts = re.findall(r"<t[^>]*>([^<]*)</t>", strings)
    texts += [
        text
        for chart in charts
        for text in re.findall(r"<a:t>([^<]*)</a:t>|<c:v>([^<]*)</c:v>", chart)
        for text in text
        if text
    ]
    return "\n".join(texts), sheets


def _sheet_names(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return re.findall(r'<sheet name="([^"]+)"', workbook.read("xl/workbook.xml").decode())


def _french_labels_of_the_report(report) -> list[str]:
    """Labels the French report prints: its table titles and headings, the dictionary's names and
    definitions, the chart titles, and the French names of the programmes."""
    from reporting.selectors import semester_report_tables

    with override("fr"):
        labels = []
        for table in semester_report_tables(report.snapshot):
            labels += [table.title, *table.header]
        labels += [name for section in metrics.methodology("fr") for name, _d in section["terms"]]
        labels += list(_chart_titles().values())
    labels += list(Programme.objects.values_list("name", flat=True))
    return [label for label in labels if LATIN.search(label)]


def test_the_arabic_pdf_of_the_semester_report_has_no_french_label_and_names_the_programmes_in_arabic(
    client, semester_data, leila
):
    client.force_login(leila)
    response = client.get(reverse("reporting:report_download", args=[semester_data.pk, "pdf"]), {"lang": "ar"})
    assert response.status_code == 200
    text = _pdf_text(response.content)
    flat = " ".join(text.split())
    free = _free_texts(semester_data)
    labels = [label for label in _french_labels_of_the_report(semester_data) if not any(label in t for t in free)]
    assert len(labels) > 100
    assert [label for label in labels if " ".join(label.split()) in flat] == []
    allowed = LATIN_ALLOWED | set(LATIN.findall(leila.get_full_name() + " ".join(free)))
    assert _latin_words(text, allowed=allowed) == set()
    for code in ("tayssir", "daam", "amo-tadamon"):
        assert Programme.objects.get(code=code).name_ar in text, code
    # The methodology is the dictionary in Arabic, and the charts and months are Arabic too.
    assert metrics.methodology("ar")[0]["terms"][0][0] in text
    with override("ar"):
        assert _chart_titles()["month"] in text


def test_the_arabic_xlsx_and_csv_of_the_semester_report_are_wholly_arabic_and_right_to_left(
    client, semester_data, leila
):
    client.force_login(leila)
    client.cookies["django_language"] = "ar"
    allowed = LATIN_ALLOWED | set(LATIN.findall(leila.get_full_name() + " ".join(_free_texts(semester_data))))
    xlsx = client.get(reverse("reporting:report_download", args=[semester_data.pk, "xlsx"]))
    assert xlsx.status_code == 200
    strings, sheets = _xlsx_text(xlsx.content)
    assert _latin_words(strings + "\n".join(_sheet_names(xlsx.content)), allowed=allowed) == set()
    assert all('rightToLeft="1"' in sheet for sheet in sheets)
    assert Programme.objects.get(code="tayssir").name_ar in strings
    csv_text = b"".join(
        client.get(reverse("reporting:report_download", args=[semester_data.pk, "csv"])).streaming_content
    ).decode("utf-8-sig")
    assert _latin_words(csv_text, allowed=allowed) == set()
    assert Programme.objects.get(code="daam").name_ar in csv_text


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_dashboard_downloads_in_arabic_are_wholly_arabic(client, semester_data, omar, fmt):
    client.force_login(omar)
    client.cookies["django_language"] = "ar"
    today = timezone.localdate()
    query = {"period": "custom", "start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()}
    response = client.get(reverse("reporting:dashboard_export", args=[fmt]), query)
    assert response.status_code == 200
    if fmt == "xlsx":
        text, sheets = _xlsx_text(response.content)
        text += "\n".join(_sheet_names(response.content))
        assert all('rightToLeft="1"' in sheet for sheet in sheets)
    else:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(text)))[2] == "الطلبات المتوصل بها"
    assert _latin_words(text, allowed=LATIN_ALLOWED) == set()
    assert Programme.objects.get(code="tayssir").name_ar in text
