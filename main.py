"""KefuSim 客服实训模拟器: `python main.py` starts the game; `python main.py --help` lists the tools."""
import os
import sys

from game.cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
