"""claimtrack.linking: corroborates / contradicts / repeats links between claims."""

from claimtrack.linking.index import LinkIndex, link_claims
from claimtrack.linking.relate import Judgement, relate

__all__ = ["Judgement", "LinkIndex", "link_claims", "relate"]
