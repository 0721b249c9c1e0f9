"""Reaching the right hands: the skills a community knows (特长标签), what each volunteer
offers (特长、服务承诺、有空的时间、住在哪个网格), what they follow (categories and grid
places), the message a follower gets when a wish is published, and the volunteers the
secretary may ask first for an open wish."""
