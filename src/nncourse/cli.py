"""The `nncourse` command: build, check, fetch data, demo."""

from __future__ import annotations

import argparse
import sys


def cmd_build(args):
    from nncourse.build import build, course_root

    root = course_root()
    build(root, args.assignments or None)
    print(f"built release/ and solutions/ in {root}")
    return 0


def cmd_check(args):
    from nncourse.notebook import NotebookError, read_notebook
    from nncourse.selfcheck import guess_assignment, run_in_child

    try:
        read_notebook(args.notebook)
        assignment = args.assignment or guess_assignment(args.notebook)
    except NotebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return run_in_child(args.notebook, assignment)


def cmd_mnist(args):
    from nncourse.data import MNISTError, default_cache_dir, load_mnist

    try:
        data = load_mnist(args.idx_dir, args.cache_dir)
    except MNISTError as error:
        print(error, file=sys.stderr)
        return 1
    where = args.cache_dir or default_cache_dir()
    print(f"MNIST ready: {len(data.x_train)} training and {len(data.x_test)} test images, verified, cached in {where}")
    return 0


def parser():
    p = argparse.ArgumentParser(prog="nncourse", description="Build a neural network from scratch, and grade it.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("build", help="build release/ and solutions/ from source/ with nbgrader")
    s.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    s.set_defaults(run=cmd_build)

    s = sub.add_parser("check", help="run a notebook's public checks without Jupyter")
    s.add_argument("notebook")
    s.add_argument("--assignment", help="assignment name, if the notebook's folder does not say")
    s.set_defaults(run=cmd_check)

    s = sub.add_parser("mnist", help="fetch, verify and cache MNIST")
    s.add_argument("--idx-dir", help="a folder with the four standard MNIST IDX files")
    s.add_argument("--cache-dir", help="where to cache (default: $NNCOURSE_DATA or ~/.cache/nncourse)")
    s.set_defaults(run=cmd_mnist)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
