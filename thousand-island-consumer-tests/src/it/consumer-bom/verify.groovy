assert new File(basedir, 'target/classes/com/example/echo/EchoApplication.class').isFile() : 'EchoApplication was not compiled'
return true
