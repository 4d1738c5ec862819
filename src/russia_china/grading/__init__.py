"""Grade a class's exercise notebooks: `russia-china grade SUBMISSIONS`.

Each submission is copied to a private folder and run in its own worker
process and Jupyter kernel, with time and memory limits, inside a bubblewrap
sandbox where one is available (read-only filesystem, no network, solutions
hidden) and always under an audit hook that blocks and records reads of the
solutions and writes outside the submission's folder. Answers are found by
exercise id, through the answers the notebook gave to check(), so students may
delete, duplicate and reorder cells. Hidden tests come from solutions/ and run
in the kernel after the student's code, in a namespace of their own.

Modules: plan (what to grade, from solutions/), submissions (who submitted
what), sandbox (the worker's command and limits), worker (runs one
submission), kernel_session (the in-kernel guard and scoring), gradebook
(CSV and feedback files), grader (runs the class in parallel).
"""
