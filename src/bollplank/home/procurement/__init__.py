"""The procurement pack (docs/procurement/): what a Swedish buyer asks a supplier for — a data
processing agreement, the sub-processors, where data is stored, the accessibility statement and
answers to security questions — generated from the code's own registry and the deployment's
settings, so that it says what the code does rather than what someone once copied.

``manage.py procurement_pack --template`` writes the committed, deployment-neutral pack (every
value a deployment decides is a blank naming the setting); without ``--template`` it reads the
running deployment's settings, and ``--practice <slug>`` fills in one practice's name,
organisation number, retention rules and video server.
"""
