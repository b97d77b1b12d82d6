"""A synthetic purchase history with structure, for the recommender's evaluation and the demo.

Buyers have one or two favourite categories; products within a category are bought together
(a few "complements" strongly so), popularity is long-tailed (Zipf-like): what real shops show,
and what a popularity baseline cannot exploit but item-to-item similarity can.
"""

import random


def purchase_baskets(
    *, buyers: int, products: list[int], categories: int, seed: int = 2026
) -> list[list[int]]:
    """``buyers`` purchase sequences over ``products`` (split into ``categories`` groups)."""
    rng = random.Random(seed)
    groups = [products[i::categories] for i in range(categories)]
    weights = [[1 / (rank + 1) ** 0.8 for rank in range(len(g))] for g in groups]
    baskets = []
    for _ in range(buyers):
        favourites = rng.sample(range(categories), 2 if rng.random() < 0.4 else 1)
        size = min(2 + int(rng.expovariate(1 / 3)), 12)
        basket: list[int] = []
        while len(basket) < size:
            # An impulse buy anywhere (popularity's share), else a favourite category.
            impulse = rng.random() < 0.15
            group = rng.randrange(categories) if impulse else rng.choice(favourites)
            item = rng.choices(groups[group], weights[group])[0]
            if basket and rng.random() < 0.35:  # the complement of the last purchase
                last = basket[-1]
                siblings = groups[products.index(last) % categories]
                item = siblings[(siblings.index(last) + 1) % len(siblings)]
            if item not in basket:
                basket.append(item)
        baskets.append(basket)
    return baskets
