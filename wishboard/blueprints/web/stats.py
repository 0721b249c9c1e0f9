"""述评公开: a community's figures month by month, for anyone, and the printable monthly
通报. Counts, hours and stars only; the people named are those the 光荣榜 names."""

from flask import render_template, request

from wishboard.blueprints.web import bp
from wishboard.core.schemas import load_or_raise
from wishboard.stats import services as stats
from wishboard.stats.charts import community_charts
from wishboard.stats.schemas import ReportQuerySchema, months_asked


@bp.get("/communities/<int:community_id>/stats")
def community_stats(community_id):
    """述评公开: the charts and tables of the months asked for (the last twelve by default)."""
    query, range_form = months_asked(request.args.to_dict())
    found = stats.community_stats(community_id, first=query["first"], last=query["last"])
    return render_template("web/stats.html", community=found.community, stats=found,
                           charts=community_charts(found), this_month=stats.current_month(),
                           range_form=range_form)


@bp.get("/communities/<int:community_id>/stats/report")
def month_report(community_id):
    """定期通报: one month's figures and its top volunteers and organisations, to print."""
    query = load_or_raise(ReportQuerySchema(), request.args.to_dict())
    report = stats.month_report(community_id, query["month"])
    return render_template("web/stats_report.html", community=report.community, report=report,
                           this_month=stats.current_month(),
                           previous_month=stats.add_months(report.month, -1),
                           next_month=stats.add_months(report.month, 1))
