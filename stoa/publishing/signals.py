"""What publishing tells apps above it, which it never imports: they connect to these.

- ``post_published(post, at)``: a save made a post published that readers could not see
  before (a draft, a pending or private post, a new one), at `at`: now, or later for a
  scheduled post, which then goes live by the clock with no save of its own. Sent by
  services.save_post inside the change's transaction, before the caller sets the post's
  authors, categories and tags: a receiver that reads them waits for the commit
  (transaction.on_commit). Not sent for an edit of a live post, nor for an import.
"""

from __future__ import annotations

from django.dispatch import Signal

post_published = Signal()
