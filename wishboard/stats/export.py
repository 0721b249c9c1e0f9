"""The wish list as downloads for the secretary's PC: CSV (UTF-8 with a byte-order mark, so
Excel opens the Chinese right) and an Excel workbook, with Chinese headers, ready to print.
What the board shows and no more: the people served appear by their public alias only.
Every cell goes through ``core.spreadsheets`` (a title like ``=HYPERLINK(...)`` stays
text)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from wishboard.core.clock import hours_words, local
from wishboard.core.spreadsheets import SafeWriter, append_row
from wishboard.stats.services import WishExport

HEADERS = ["编号", "标题", "类型", "类别", "网格", "状态", "服务对象（公开称呼）", "发布时间",
           "截止时间", "认领人", "代表组织", "认领时间", "承诺完成", "完成时间", "结项时间",
           "服务时长（小时）", "时长确认", "评价数", "平均星级"]


def _when(moment) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def wish_rows(export: WishExport) -> list[list]:
    rows = []
    for wish in export.wishes:
        hours, hours_state = export.hours.get(wish.id, (None, ""))
        rows.append([
            wish.id, wish.title, wish.kind.label, wish.category.name,
            wish.grid.name if wish.grid else "", wish.state.label, wish.public_alias,
            _when(wish.published_at), _when(wish.expires_at),
            wish.claimant.name if wish.claimant else "",
            wish.claim_organization.name if wish.claim_organization else "",
            _when(wish.claimed_at), _when(wish.due_at), _when(wish.completed_at),
            _when(wish.closed_at), hours_words(hours) if hours is not None else "",
            hours_state, wish.rating_count,
            wish.average_stars if wish.average_stars is not None else ""])
    return rows


def _title(export: WishExport) -> str:
    return f"{export.community.name} 心愿清单（{export.filters}）"


def wishes_csv(export: WishExport) -> bytes:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow([_title(export)])
    writer.writerow(HEADERS)
    writer.writerows(wish_rows(export))
    if export.truncated:
        writer.writerow([f"只导出了前{len(export.wishes)}个，请加筛选条件分次导出。"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def wishes_xlsx(export: WishExport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "心愿清单"
    rows = wish_rows(export)
    append_row(sheet, [_title(export)])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    append_row(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        append_row(sheet, row)  # a title like =HYPERLINK(...) stays a title
    if export.truncated:
        append_row(sheet, [f"只导出了前{len(export.wishes)}个，请加筛选条件分次导出。"])
    for index, header in enumerate(HEADERS, start=1):
        width = max([len(str(header)) * 2] + [len(str(r[index - 1])) * 2 for r in rows[:500]])
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = min(
            max(width, 8), 40)
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
