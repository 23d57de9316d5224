"""The peer's route: start, then three reviews, each approved — viewflow's defaults, no permissions, no audit."""

from django.http import Http404
from viewflow import this
from viewflow.workflow import flow


def review_page(request, **kwargs):
    """No page: the bench drives the activations directly, and mounts no URL for this view."""
    raise Http404("the peer bench has no pages")


class FilingFlow(flow.Flow):
    """Submitted, then 属地初审, 民政局审核, 卫健局备案 (View tasks), then the end."""

    start = flow.StartHandle(this.start_filing).Next(this.township_review)
    township_review = flow.View(review_page).Next(this.civil_affairs_review)
    civil_affairs_review = flow.View(review_page).Next(this.health_filing)
    health_filing = flow.View(review_page).Next(this.end)
    end = flow.End()

    def start_filing(self, activation, **kwargs):
        activation.process.data = {"clinic_name": "社会福利中心医务室"}
        return activation.process
