"""The offline course website (`make site`): see build.py."""
