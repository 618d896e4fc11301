# Metaclasses are not offered: unsupported, with the line.
# expect: unsupported: line 3: subclasses of the built-in type 'type'
class Meta(type):
    pass
