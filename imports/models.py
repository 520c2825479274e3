"""File imports of complaints from chikaya.ma, the Médiateur and the call centre (issue 7)."""
