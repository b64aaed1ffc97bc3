"""trialstack-tui: review a SaaS product's usage, adoption, rollouts and billing from the terminal."""

__version__ = "0.1.0"
