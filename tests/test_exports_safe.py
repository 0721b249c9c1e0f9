"""Downloads for the secretary's PC never carry a formula: a name like =HYPERLINK(...) stays a
name in the CSV and in the Excel workbook, and numbers stay numbers."""

import csv
import io
from datetime import datetime, timezone

from openpyxl import Workbook, load_workbook

from wishboard.core.spreadsheets import SafeWriter, append_row
from wishboard.wishes import services as wishes

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-1+2"]
WHEN = datetime(2026, 5, 15, 4, 0, tzinfo=timezone.utc)


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_the_csv_writer_guards_text_and_leaves_numbers_alone():
    out = io.StringIO()
    SafeWriter(out).writerow([-1, -2.5, 0, "-1", "=1+1", "+1", "@A1", "\tx", "\rx", "李建国",
                              "", None])
    (row,) = csv.reader(io.StringIO(out.getvalue()))
    assert row == ["-1", "-2.5", "0", "'-1", "'=1+1", "'+1", "'@A1", "'\tx", "'\rx", "李建国",
                   "", ""]


def test_a_workbook_row_keeps_risky_text_as_text_and_numbers_as_numbers():
    workbook = Workbook()
    append_row(workbook.active, [-1, -2.5, "-1", "=1+1", "@A1", "+1", "李建国"])
    out = io.BytesIO()
    workbook.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [c.value for c in sheet[1]]
    kinds = [c.data_type for c in sheet[1]]
    assert values == [-1, -2.5, "-1", "=1+1", "@A1", "+1", "李建国"]
    assert kinds == ["n", "n", "s", "s", "s", "s", "s"]
    assert [c.quotePrefix for c in sheet[1]] == [False, False, True, True, True, True, False]


def test_hostile_volunteer_names_are_neutralised_in_the_commendation_downloads(
        client, community, make_user, make_org, make_wish, token_for):
    secretary = make_user("secretary", community, name="张丽华")
    org = make_org(community, "=1+1党支部")
    for name in HOSTILE:
        volunteer = make_user("volunteer", community, name=name, organization=org)
        wish = make_wish(secretary, now=WHEN)
        wishes.claim_wish(volunteer, wish.id, accept_letter=True, organization_id=org.id,
                          now=WHEN)
    headers = token_for(secretary)
    url = f"/api/v1/commendation?community_id={community.id}&year=2026"
    assert sorted(v["name"] for v in client.get(url, headers=headers).get_json()[
        "volunteers"]) == sorted(HOSTILE)

    as_csv = client.get(url + "&format=csv", headers=headers)
    assert as_csv.status_code == 200
    rows = _csv_rows(as_csv)
    names = [row[1] for row in rows[2:2 + len(HOSTILE)]]
    assert sorted(names) == sorted("'" + name for name in HOSTILE)
    assert all(row[4].lstrip("-").isdigit() for row in rows[2:2 + len(HOSTILE)])  # points
    every_cell = [cell for row in rows for cell in row]
    assert "'=1+1党支部" in every_cell and "=1+1党支部" not in every_cell
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in every_cell
                   if not cell.lstrip("-").replace(".", "", 1).isdigit())

    as_xlsx = client.get(url + "&format=xlsx", headers=headers)
    assert as_xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(as_xlsx.get_data()))
    assert [c for c in _cells(workbook) if c.data_type == "f"] == []
    sheet = workbook["优秀报到党员"]
    name_cells = [sheet.cell(row=r, column=2) for r in range(3, 3 + len(HOSTILE))]
    assert sorted(c.value for c in name_cells) == sorted(HOSTILE)  # exactly as written
    assert all(c.data_type == "s" and c.quotePrefix for c in name_cells)
    points = [sheet.cell(row=r, column=5) for r in range(3, 3 + len(HOSTILE))]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in points)
    organizations = workbook["先进报到党组织"]
    assert organizations["B3"].value == "=1+1党支部" and organizations["B3"].data_type == "s"


def test_a_hostile_name_is_neutralised_in_the_audit_download(client, community, make_user,
                                                             token_for):
    secretary = make_user("secretary", community, name='=HYPERLINK("http://x","y")')
    response = client.get("/api/v1/audit", headers=token_for(secretary),
                          query_string={"community_id": community.id, "format": "csv"})
    assert response.status_code == 200
    rows = _csv_rows(response)
    actors = {row[3] for row in rows[1:]}
    assert actors == {"'" + secretary.name}
    assert not any(cell.startswith("=") for row in rows for cell in row)
