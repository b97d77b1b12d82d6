"""China's provincial-level divisions (GB/T 2260), plus one bucket for users abroad.

Codes are stable slugs: clients store them, analytics group by them.
"""

REGIONS: list[tuple[str, str, str]] = [
    # (code, English name, Chinese name)
    ("beijing", "Beijing", "北京"),
    ("tianjin", "Tianjin", "天津"),
    ("hebei", "Hebei", "河北"),
    ("shanxi", "Shanxi", "山西"),
    ("inner_mongolia", "Inner Mongolia", "内蒙古"),
    ("liaoning", "Liaoning", "辽宁"),
    ("jilin", "Jilin", "吉林"),
    ("heilongjiang", "Heilongjiang", "黑龙江"),
    ("shanghai", "Shanghai", "上海"),
    ("jiangsu", "Jiangsu", "江苏"),
    ("zhejiang", "Zhejiang", "浙江"),
    ("anhui", "Anhui", "安徽"),
    ("fujian", "Fujian", "福建"),
    ("jiangxi", "Jiangxi", "江西"),
    ("shandong", "Shandong", "山东"),
    ("henan", "Henan", "河南"),
    ("hubei", "Hubei", "湖北"),
    ("hunan", "Hunan", "湖南"),
    ("guangdong", "Guangdong", "广东"),
    ("guangxi", "Guangxi", "广西"),
    ("hainan", "Hainan", "海南"),
    ("chongqing", "Chongqing", "重庆"),
    ("sichuan", "Sichuan", "四川"),
    ("guizhou", "Guizhou", "贵州"),
    ("yunnan", "Yunnan", "云南"),
    ("tibet", "Tibet", "西藏"),
    ("shaanxi", "Shaanxi", "陕西"),
    ("gansu", "Gansu", "甘肃"),
    ("qinghai", "Qinghai", "青海"),
    ("ningxia", "Ningxia", "宁夏"),
    ("xinjiang", "Xinjiang", "新疆"),
    ("hong_kong", "Hong Kong", "香港"),
    ("macau", "Macau", "澳门"),
    ("taiwan", "Taiwan", "台湾"),
    ("overseas", "Overseas", "海外"),
]

REGION_CHOICES: list[tuple[str, str]] = [(code, name) for code, name, _ in REGIONS]
REGION_CODES: frozenset[str] = frozenset(code for code, _, _ in REGIONS)
