"""``ag__``: what converted code calls (``print(tf.autograph.to_code(f))`` shows the calls).

Each operator looks at its arguments when the code runs and does what Python would do, unless
they are tensors of a function being traced: then it builds the graph TF would build.

- ``if_stmt``, ``if_exp``: ``conditionals.py`` (``tf.cond``)
- ``while_stmt``, ``for_stmt``: ``loops.py`` (``tf.while_loop``, or one op per dataset loop)
- ``and_``, ``or_``, ``not_``: ``logical.py``
- ``Undefined``, ``UndefinedReturnValue``, ``ld``, ``ldu``, ``retval``: ``variables.py``
- ``converted_call``: ``../conversion.py`` (converts the functions the code calls)
"""
from minitf.autograph.operators.conditionals import if_exp, if_stmt
from minitf.autograph.operators.logical import and_, not_, or_
from minitf.autograph.operators.loops import for_stmt, while_stmt
from minitf.autograph.operators.variables import Undefined, UndefinedReturnValue, ld, ldu, retval
from minitf.autograph.conversion import converted_call  # noqa: E402 (conversion imports the operators lazily)

__all__ = ["if_stmt", "if_exp", "while_stmt", "for_stmt", "and_", "or_", "not_", "Undefined",
           "UndefinedReturnValue", "ld", "ldu", "retval", "converted_call"]
