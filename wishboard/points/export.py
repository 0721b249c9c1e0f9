"""The annual commendation (年度表彰) as downloads for the secretary's PC: CSV and an Excel
workbook, with Chinese headers, private data masked, ready to print."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from wishboard.accounts.models import VolunteerType
from wishboard.core.spreadsheets import SafeWriter, append_row
from wishboard.points.commendation import Commendation
from wishboard.privacy import mask_phone

TYPE_LABELS = {t.value: t.label for t in VolunteerType}
VOLUNTEER_HEADERS = ["名次", "姓名", "类型", "所属报到党组织", "正能量值", "认领", "完成", "参加活动",
                     "服务时长（小时）", "平均星级", "联系电话", "备注"]
ORGANIZATION_HEADERS = ["名次", "报到党组织", "正能量值", "认领", "完成", "参加活动",
                        "服务时长（小时）", "平均星级"]


def volunteer_rows(report: Commendation) -> list[list]:
    return [[r.rank, r.name, TYPE_LABELS.get(r.volunteer_type, ""), r.organization or "",
             r.points, r.claims, r.completions, r.activities, r.hours,
             r.average_stars if r.average_stars is not None else "",
             mask_phone(report.phones.get(r.id, "")),
             "本人选择不在公开榜单显示姓名" if r.id in report.hidden_names else ""]
            for r in report.volunteers]


def organization_rows(report: Commendation) -> list[list]:
    return [[r.rank, r.name, r.points, r.claims, r.completions, r.activities, r.hours,
             r.average_stars if r.average_stars is not None else ""]
            for r in report.organizations]


def commendation_csv(report: Commendation) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a secretary's PC opens the Chinese right."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow([f"{report.year}年度 优秀报到党员（志愿者）"])
    writer.writerow(VOLUNTEER_HEADERS)
    writer.writerows(volunteer_rows(report))
    writer.writerow([])
    writer.writerow([f"{report.year}年度 先进报到党组织"])
    writer.writerow(ORGANIZATION_HEADERS)
    writer.writerows(organization_rows(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def commendation_xlsx(report: Commendation, community_name: str) -> bytes:
    workbook = Workbook()
    sheets = [
        (workbook.active, "优秀报到党员", VOLUNTEER_HEADERS, volunteer_rows(report)),
        (workbook.create_sheet(), "先进报到党组织", ORGANIZATION_HEADERS,
         organization_rows(report)),
    ]
    for sheet, title, headers, rows in sheets:
        sheet.title = title
        append_row(sheet, [f"{community_name} {report.year}年度{title}"])
        sheet["A1"].font = Font(size=16, bold=True)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        append_row(sheet, headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for row in rows:
            append_row(sheet, row)  # a name like =HYPERLINK(...) stays a name
        for index, header in enumerate(headers, start=1):
            width = max([len(str(header)) * 2] + [len(str(r[index - 1])) * 2 for r in rows])
            sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = min(
                max(width, 8), 40)
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
