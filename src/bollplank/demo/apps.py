from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor's made-up data: the demo firm (``load_demo``) and the generated bench firm
    (``generate_bench_data``). Each app's own part of the demo is in its ``demo.py``."""

    name = "bollplank.demo"
    label = "demo"
