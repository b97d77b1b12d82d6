"""Commerce writes, one module per topic; other apps call the names exported here.

``catalog`` (stores, products, images), ``pool`` (plans, showcases, samples, note tags),
``links`` (tracked links and clicks), ``checkout`` (paying an order), ``orders`` (the order
machine after payment), ``recommendations`` (the nightly job).
"""

from apps.commerce.services.links import tracked_link

__all__ = ["tracked_link"]
